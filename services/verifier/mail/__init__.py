"""Mailboxes the verifier reads: one interface (MailSource), three back ends (Gmail, IMAP, sandbox)."""

"""provisioner: one browser profile per (user, platform), its proxy, and rate limits."""

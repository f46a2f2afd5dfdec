"""intake: the HTTP API and the read model of every task."""

"""takeover: the operator page where a person unblocks a task on the live browser."""

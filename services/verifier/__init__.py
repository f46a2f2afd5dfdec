"""verifier: reads verification mail and proves each application went through."""

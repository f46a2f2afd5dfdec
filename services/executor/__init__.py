"""executor: drives the browser over CDP, fills the form, submits once."""

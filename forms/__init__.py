"""The form engine: reads a live page through Playwright, decides each field's value with its
provenance from the user's profile, and fills it the way a person would. No bus, no database;
it imports contracts only, and the executor and the command line stand on it."""

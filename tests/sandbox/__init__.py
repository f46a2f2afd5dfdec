"""Tests of the sandbox: local replicas of job sites, run as a real process."""

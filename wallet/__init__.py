"""The learner's wallet service."""

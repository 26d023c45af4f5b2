"""Production deployment settings that are code: the gunicorn configuration."""

"""Running the service: backups of the database (`flask backup`, `flask restore`)."""

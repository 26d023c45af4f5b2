"""The start page, health check, information pages and the home pages of the roles without a
domain of their own yet."""

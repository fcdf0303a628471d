"""Portal views of order handling, split by audience: csr (staff) and my (self-service)."""

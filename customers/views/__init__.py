"""Portal views of the customer inventory, split by audience: csr (staff) and my (self-service)."""

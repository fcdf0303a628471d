"""bss.idempotency: a shared building block (own app label 'idempotency' so its migrations stand alone)."""

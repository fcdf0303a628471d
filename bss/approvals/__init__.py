"""bss.approvals: a shared building block (own app label 'approvals' so its migrations stand alone)."""

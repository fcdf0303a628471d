"""bss.sla: a shared building block (own app label 'sla' so its migrations stand alone)."""

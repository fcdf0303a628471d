"""Helpers shared by the customer inventory admin classes."""






def editable_fields(model, *exclude) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields
                 if f.editable and not f.primary_key and f.name not in exclude)

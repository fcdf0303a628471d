"""Checks against the official TM Forum specs: the product's copies in bss/tmf/specs/ (unmodified, from
../shared/tmf/specs; the TM Forum repositories are listed in ../shared/tmf/README.md)."""

from bss.tmf.spec import SPECS_DIR as SPECS  # noqa: F401
from bss.tmf.spec import load_spec  # noqa: F401


def spec_problems(spec: dict, definition: str, obj, path: str = "", extensions=frozenset()) -> list[str]:
    """Every attribute we return exists in the spec's definition (recursively through $ref;
    documented top-level `extensions` aside), the definition's required attributes are
    present, and scalar types and enums agree."""
    problems = []
    d = spec["definitions"][definition]
    if "enum" in d:
        return [] if obj in d["enum"] else [f"{path}: {obj!r} not in {definition} {d['enum']}"]
    if not d.get("properties"):  # e.g. Any
        return []
    if not isinstance(obj, dict):
        return [f"{path}: expected an object ({definition}), got {obj!r}"]
    props = d["properties"]
    for name in d.get("required", []):
        if name not in obj:
            problems.append(f"{path or definition}: required attribute {name} missing")
    for key, value in obj.items():
        where = f"{path}.{key}" if path else key
        if key not in props:
            if key not in extensions:
                problems.append(f"{where}: not an attribute of {definition}")
            continue
        prop = props[key]
        if "$ref" in prop:
            problems += spec_problems(spec, prop["$ref"].rsplit("/", 1)[1], value, where)
        elif prop.get("type") == "array":
            if not isinstance(value, list):
                problems.append(f"{where}: expected an array, got {value!r}")
                continue
            item_ref = prop.get("items", {}).get("$ref")
            for i, item in enumerate(value):
                if item_ref:
                    problems += spec_problems(spec, item_ref.rsplit("/", 1)[1], item, f"{where}[{i}]")
        elif prop.get("type") == "string" and not isinstance(value, str):
            problems.append(f"{where}: expected a string, got {value!r}")
        elif prop.get("type") == "boolean" and not isinstance(value, bool):
            problems.append(f"{where}: expected a boolean, got {value!r}")
        elif prop.get("type") in ("integer", "number") and (isinstance(value, bool)
                                                               or not isinstance(value, int | float)):
            problems.append(f"{where}: expected a number, got {value!r}")
    return problems


def assert_tmf_error(resp, status: int) -> dict:
    """A TMF Error body with the given status, as JSON."""
    assert resp.status_code == status, (resp.status_code, resp.content)
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["@type"] == "Error"
    assert body["status"] == str(status)
    assert body["code"] and body["reason"] and body["message"]
    return body

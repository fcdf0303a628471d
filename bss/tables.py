"""The one list pattern of the portal (docs/portal.md#lists): a django-tables2 table, optionally filtered by a
django-filter FilterSet, paged and sorted, rendered by templates/bss/tables/table.html.

    class CustomerTable(BssTable):
        noun, noun_plural = "customer", "customers"
        ...

    def customer_list(request):
        return render_list(request, CustomerTable, CustomerFilter(request.GET, queryset=...),
                           template="customers/csr/customer_list.html")

The page template includes ``bss/tables/_list.html`` (filter form + table). Sorting, paging and filtering swap
only the list over HTMX and push the URL; Back restores the whole page (bss.portal.render_page_or_fragment).
"""

import django_tables2 as tables
from django_tables2.config import RequestConfig


class BssTable(tables.Table):
    """A table that says what it shows ("Showing 1–25 of 43 customers") and marks the sorted column."""

    noun = "item"
    noun_plural = "items"
    list_id = "list"  # the element HTMX swaps; one list per page

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        template_name = "bss/tables/table.html"

    @property
    def caption_text(self) -> str:
        total = self.paginator.count if getattr(self, "paginator", None) else len(self.rows)
        if not total:
            return f"No {self.noun_plural}"
        if getattr(self, "page", None) and self.paginator.num_pages > 1:
            return (f"Showing {self.page.start_index()}–{self.page.end_index()} of {total} "
                    f"{self.noun if total == 1 else self.noun_plural}")
        return f"{total} {self.noun if total == 1 else self.noun_plural}"


def render_list(request, table_class, data, *, template: str, filterset=None, per_page: int = 25,
                context: dict | None = None, fragment: str = "bss/tables/_list.html"):
    """Render a list page, or only its list when HTMX swaps it (sort, page, filter)."""
    from bss.portal import render_page_or_fragment

    queryset = filterset.qs if filterset is not None else data
    table = table_class(queryset)
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    ctx = {"table": table, "filter": filterset, **(context or {})}
    return render_page_or_fragment(request, template, fragment, ctx)

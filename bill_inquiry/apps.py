from django.apps import AppConfig


class BillInquiryConfig(AppConfig):
    """eTOM 1.1.1.12 Bill Inquiry Handling (TMF621 shape, ticketType BillInquiry)."""

    name = "bill_inquiry"

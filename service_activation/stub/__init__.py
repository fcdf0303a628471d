"""A stub network element for the HTTP adapter demo (service_activation.stub.ne; ``manage.py run_stub_ne``)."""

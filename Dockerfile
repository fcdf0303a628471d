# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 BSS_VAR_DIR=/var/lib/bss
WORKDIR /app
RUN useradd --system --home /app bss && mkdir -p /var/lib/bss && chown bss /var/lib/bss
COPY pyproject.toml README.md ./
COPY bss ./bss
COPY customers ./customers
COPY orders ./orders
COPY service_activation ./service_activation
COPY billing ./billing
COPY bill_inquiry ./bill_inquiry
COPY interactions ./interactions
COPY templates ./templates
COPY manage.py ./
RUN pip install . && DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only ALLOWED_HOSTS=localhost \
      python manage.py collectstatic --noinput
USER bss
EXPOSE 8000
CMD ["gunicorn", "bss.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", "--access-logfile", "-"]

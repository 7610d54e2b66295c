# The production image: web (gunicorn), Celery worker, beat and the PayPal simulator share it.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VAR_DIR=/var/lib/webexcommerce
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && DJANGO_SETTINGS_MODULE=webexcommerce.settings.local python manage.py compilemessages -v 0 \
 && DJANGO_SETTINGS_MODULE=webexcommerce.settings.local python manage.py collectstatic --no-input -v 0 \
 && useradd --system webex && mkdir -p $VAR_DIR && chown webex $VAR_DIR
USER webex
EXPOSE 8000
CMD ["gunicorn", "webexcommerce.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]

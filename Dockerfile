# One image for the six gRPC services, the gateway and the console; the command picks which:
#   docker build -t cabanas .
#   docker run cabanas services.booking     (or messaging, payments, speech, calendar, accounts)
#   docker run cabanas gateway              (the default)
#   docker run cabanas console              (the owner's web app)
#   docker run cabanas services.common.migrate booking payments calendar messaging
# Settings come from the environment (README "Configuration"); deploy/k8s runs it.

# ---- builder: the project and its pinned dependencies in a venv ----
FROM python:3.11-slim-bookworm AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first, in their own layer: rebuilt only when pyproject.toml
# changes, not on every code change. Every pin has a wheel, so no compiler.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY cabanas ./cabanas
COPY services ./services
COPY gateway ./gateway
COPY console ./console
# Not editable: the code and its SQL migrations land in the venv's
# site-packages, so the venv alone is the whole application.
RUN pip install --no-deps .

# ---- runtime: the venv, a non-root user, nothing to build with ----
FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONFAULTHANDLER=1 \
    GRPC_BIND_HOST=[::] \
    AUDIO_MODEL_CACHE=/var/cache/cabanas
# A fixed UID/GID (10001) that deploy/k8s's runAsUser repeats. The model cache
# is the one place speech writes; Kubernetes mounts an emptyDir over it.
RUN groupadd --system --gid 10001 cabanas \
    && useradd --system --uid 10001 --gid cabanas --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin cabanas \
    && install -d -o 10001 -g 10001 /var/cache/cabanas
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
# gateway and console HTTP; gRPC booking, messaging, payments, speech, calendar, accounts; METRICS_PORT in deploy/k8s.
EXPOSE 8000 8001 50051 50052 50053 50054 50055 50056 9090
ENTRYPOINT ["python", "-m"]
CMD ["gateway"]

# zonage: multi-stage image, non-root, SpatiaLite for the embedded default.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir build
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
COPY data/geo ./data/geo
RUN python -m build --wheel --outdir /dist

FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-mod-spatialite \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 zonage
COPY --from=build /dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm /tmp/*.whl
USER zonage
ENV ZONAGE_HOST=0.0.0.0 \
    ZONAGE_DATA_DIR=/home/zonage/data \
    ZONAGE_DATA_MIRROR=/data/mirror
VOLUME ["/home/zonage/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health').status != 200)"
CMD ["zonage", "serve"]

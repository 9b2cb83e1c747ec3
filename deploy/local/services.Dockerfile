# PostgreSQL 15, Redis, etcd and nginx from Debian packages in one image, for
# the host-network smoke run (deploy/compose.local.yml): every service of the
# topology but Neo4j, without an image registry. Build with --network host.
ARG BASE_IMAGE=localbase/debian:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      postgresql-15 redis-server etcd-server etcd-client nginx-light ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV PATH=/usr/lib/postgresql/15/bin:$PATH

# Bunnybook server image: the web UI is built with Node, embedded into the Go
# binary, and the binary runs alone in a small Debian image.
#
# The base images are build arguments so a machine without Docker Hub can pass
# its own (docs/operations.md, "Running a cluster"):
#   docker build --build-arg GO_IMAGE=… --build-arg NODE_IMAGE=… --build-arg RUN_IMAGE=… .
# The runtime image is Debian slim rather than distroless because the compose
# topology needs a shell in the container: each scaled node advertises its own
# container address (`hostname -i`) and the healthcheck asks /readyz with
# bash's /dev/tcp (no curl or wget needed).
ARG NODE_IMAGE=node:20-bookworm
ARG GO_IMAGE=golang:1.26-bookworm
ARG RUN_IMAGE=debian:bookworm-slim

FROM ${NODE_IMAGE} AS ui
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci
COPY web/ ./
RUN npm run build

FROM ${GO_IMAGE} AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/web/dist ./web/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /bunnybook ./cmd/bunnybook

FROM ${RUN_IMAGE}
# 65532 is distroless's "nonroot"; the server needs no privileges.
RUN mkdir -p /data && chown 65532:65532 /data
COPY --from=build /bunnybook /bunnybook
ENV BUNNYBOOK_HTTP_ADDR=0.0.0.0:8080 BUNNYBOOK_DATA_DIR=/data
USER 65532:65532
EXPOSE 8080 8090
ENTRYPOINT ["/bunnybook"]
CMD ["serve"]

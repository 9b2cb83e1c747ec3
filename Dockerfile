# Bunnybook server image: the web UI is built with Node, embedded into the Go
# binary, and the binary runs alone in a small image.
FROM node:20-bookworm AS ui
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=ui /src/web/dist ./web/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /bunnybook ./cmd/bunnybook

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /bunnybook /bunnybook
ENV BUNNYBOOK_HTTP_ADDR=0.0.0.0:8080 BUNNYBOOK_DATA_DIR=/data
EXPOSE 8080 8090 6330
ENTRYPOINT ["/bunnybook"]
CMD ["serve"]

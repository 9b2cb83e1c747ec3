# The runtime stage of ../../Dockerfile, for a binary built on the host
# (scripts/compose-smoke.sh): no Node or Go image is needed. Keep the two in
# step. Build context: a directory holding only `bunnybook`.
ARG RUN_IMAGE=localbase/debian:bookworm
FROM ${RUN_IMAGE}
RUN mkdir -p /data && chown 65532:65532 /data
COPY bunnybook /bunnybook
ENV BUNNYBOOK_HTTP_ADDR=0.0.0.0:8080 BUNNYBOOK_DATA_DIR=/data
USER 65532:65532
EXPOSE 8080 8090
ENTRYPOINT ["/bunnybook"]
CMD ["serve"]

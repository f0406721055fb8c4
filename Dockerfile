# Multi-stage build of the `gloact` binary: a Rust toolchain builds it, a slim Debian runs it.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p gloact-api

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin gloact
COPY --from=build /src/target/release/gloact /usr/local/bin/gloact
USER gloact
ENV GLOACT_LISTEN=0.0.0.0:8080 \
    GLOACT_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["gloact"]
CMD ["serve"]

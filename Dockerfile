# dich in a container, for content teams and CI without a Rust toolchain
# (docs/install.md). Two stages: the official Rust image builds a release binary,
# and a slim Debian image runs it. The binary needs no system library beyond glibc:
# SQLite is compiled in (rusqlite `bundled`) and TLS uses rustls with its own roots.
#
#   docker build -t dich .
#   docker run --rm -v "$PWD:/project" dich translate --dry-run
#
# Debian bookworm in both stages, so the binary's glibc matches the runtime's.
FROM rust:1-slim-bookworm AS builder
WORKDIR /src
COPY . .
# The cache mounts (BuildKit, the default builder since Docker 23; no `# syntax=`
# line, so no frontend image has to be pulled) keep downloaded crates and build
# artefacts between builds; the binary is copied out of the cached target folder in
# the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin dich \
    && install -D -m 0755 target/release/dich /out/dich

FROM debian:bookworm-slim
# Not root: files written into a mounted project belong to an ordinary user; pass
# `--user "$(id -u):$(id -g)"` to write them as yourself.
RUN useradd --create-home --uid 1000 dich
COPY --from=builder /out/dich /usr/local/bin/dich
USER dich
# The project (config.toml, content/, locales/) is mounted here; paths in the config
# are relative to it.
WORKDIR /project
ENTRYPOINT ["dich"]
CMD ["--help"]

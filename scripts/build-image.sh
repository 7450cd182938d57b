#!/usr/bin/env bash
# Builds the arcemu container image (FROM scratch, see Dockerfile) from a static release binary
# compiled here on the host: the Docker engines this project runs on cannot pull images, so no
# Rust base image and no multi-stage build. Cargo rebuilds the binary only when the sources
# changed, and the image is rebuilt only when the binary, the Dockerfile or the seed world did.
#
# Usage: scripts/build-image.sh [TAG]     (default: arcemu:dev, or $ARCEMU_IMAGE)
# Prints the image's tag on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

tag=${1:-${ARCEMU_IMAGE:-arcemu:dev}}
target=x86_64-unknown-linux-gnu
if rustup target list --installed 2>/dev/null | grep -qx x86_64-unknown-linux-musl; then
  target=x86_64-unknown-linux-musl
fi

# --target keeps build scripts and proc macros dynamic (they run on the host) while the binary
# gets the C runtime linked in; glibc's static build is fine here: the binary resolves no names
# (every address it uses is an IP literal).
RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --bin arcemu --target "$target" >&2
bin="target/$target/release/arcemu"
if ldd "$bin" >/dev/null 2>&1 && ! ldd "$bin" 2>&1 | grep -q "statically linked"; then
  echo "build-image: $bin is not static:" >&2
  ldd "$bin" >&2
  exit 1
fi

context=target/docker-context
mkdir -p "$context"
# Without the line tables the release profile keeps for backtraces: the image is ~6x smaller.
if command -v strip >/dev/null; then
  strip -o "$context/arcemu" "$bin"
else
  cp "$bin" "$context/arcemu"
fi
cp -p Dockerfile "$context/Dockerfile"
cp -p examples/seed-world.yaml "$context/seed-world.yaml"
mkdir -p "$context/data"
fingerprint=$(cd "$context" && sha256sum arcemu Dockerfile seed-world.yaml | sha256sum | cut -c1-16)

if [ "$(docker image inspect --format '{{ index .Config.Labels "dev.arcemu.fingerprint" }}' "$tag" 2>/dev/null)" = "$fingerprint" ]; then
  echo "build-image: $tag is up to date ($fingerprint)" >&2
else
  previous=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  # The legacy builder: BuildKit is not installed on these engines, and FROM scratch needs nothing from it.
  DOCKER_BUILDKIT=0 docker build --quiet --label "dev.arcemu.fingerprint=$fingerprint" \
    --label "org.opencontainers.image.version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)" \
    -t "$tag" "$context" >&2
  # The image this tag named before, unless something else still uses it.
  if [ -n "$previous" ] && [ "$previous" != "$(docker image inspect --format '{{.Id}}' "$tag")" ]; then
    docker image rm "$previous" >/dev/null 2>&1 || true
  fi
  echo "build-image: built $tag ($fingerprint, $(docker image inspect --format '{{.Size}}' "$tag") bytes)" >&2
fi
echo "$tag"

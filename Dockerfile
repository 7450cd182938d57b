# The arcemu image: one static binary in an empty image. Build it with scripts/build-image.sh,
# which compiles the binary on the host (static: -C target-feature=+crt-static) and builds this
# file from a context holding only that binary and the seed world; nothing is pulled.
FROM scratch

COPY arcemu /arcemu
COPY seed-world.yaml /examples/seed-world.yaml
# An empty directory the emulator's user owns, for `--data-dir /data` (ARCEMU_DATA_DIR=/data)
# with a volume mounted there: a new named volume takes this owner.
COPY --chown=65532:65532 data /data

# Inside its own network namespace the emulator must listen on every address to be reachable
# through a published port, which `arcemu serve` refuses unless remote listening is allowed
# (README, "Safe by default"). The Host allow-list stays on: clients on the host reach the
# published ports as 127.0.0.1 or localhost, which it accepts; other names (a Compose service
# name) are added with ARCEMU_ALLOW_HOSTS. Returned URLs name http://127.0.0.1:8490 unless
# ARCEMU_PUBLIC_URL says otherwise (publish 8490 on 8490, or set it to the published port).
# Each VNet's and site's DNS listener takes a port of 20000-20031 chosen from its id (README,
# "Stable DNS ports"), so the same world has the same ports and they can be published.
# HTTPS (the Azure SDKs and az) on 8491, with its local CA in /data/tls: `docker cp
# <container>:/data/tls/ca.pem .` (or a volume on /data, which also keeps the CA) gives the file
# clients trust; the certificate names 127.0.0.1, localhost and the ARCEMU_ALLOW_HOSTS names.
# Its returned URLs name https://127.0.0.1:8491 (or an https ARCEMU_PUBLIC_URL): publish 8491 on 8491.
ENV ARCEMU_ARM_LISTEN=0.0.0.0:8490 \
    ARCEMU_HTTPS_LISTEN=0.0.0.0:8491 \
    ARCEMU_TLS_DIR=/data/tls \
    ARCEMU_DNS_LISTEN=0.0.0.0:8553 \
    ARCEMU_DNS_PORT_RANGE=20000-20031 \
    ARCEMU_ALLOW_REMOTE=true

# ARM and admin API (HTTP, HTTPS); the public DNS view (UDP and TCP); the VNets' and sites' DNS views.
EXPOSE 8490/tcp 8491/tcp 8553/udp 8553/tcp 20000-20031/udp 20000-20031/tcp

# Numeric: an empty image has no /etc/passwd. 65532 is the conventional "nonroot" id.
USER 65532:65532

# The binary asks its own health endpoint (no shell or curl here); it reads ARCEMU_ADMIN_TOKEN
# from the container's environment like the server does.
HEALTHCHECK --interval=10s --timeout=4s --start-period=5s --retries=3 CMD ["/arcemu", "health"]

ENTRYPOINT ["/arcemu"]
CMD ["serve"]

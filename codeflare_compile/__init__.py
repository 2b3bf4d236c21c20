"""codeflare-compile: lower CodeFlare Platform job resources to plain Kubernetes manifests."""

__version__ = "0.1.0"

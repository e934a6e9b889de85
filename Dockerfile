FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -o /out/loa ./cmd/loa

# Debian slim rather than distroless: radio editions are spoken by espeak-ng;
# curl is for the healthchecks (docker-compose.yml: /readyz).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* && useradd --system --uid 10001 loa
COPY --from=build /out/loa /usr/local/bin/loa
USER loa
ENTRYPOINT ["/usr/local/bin/loa"]

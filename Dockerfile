# duban as a container: a static binary on an empty base image, run as a
# user without privileges. Build from the repository root:
#
#   docker build -t duban .
#
# Where Docker Hub or proxy.golang.org are out of reach (mainland China, a
# closed government network), point the build at mirrors:
#
#   docker build --build-arg GO_IMAGE=<mirror>/library/golang:1.26-bookworm \
#                --build-arg GOPROXY=https://goproxy.cn,direct -t duban .
#
# The image holds nothing but the binary, CA certificates and a /tmp; the
# configuration comes from the environment (README: Configuration, Deploying).
ARG GO_IMAGE=golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
ARG GOPROXY=https://proxy.golang.org,direct
ENV GOPROXY=${GOPROXY} CGO_ENABLED=0 GOFLAGS=-trimpath
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The templ output (*_templ.go) is committed, so no generate step. The time
# zone database is embedded (timetzdata): the final image has none.
RUN go build -tags timetzdata -ldflags="-s -w" -o /out/duban ./cmd/duban \
 && mkdir -p /out/tmp && chmod 1777 /out/tmp

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tmp /tmp
COPY --from=build /out/duban /duban
# 65532: an unprivileged user that owns nothing in the image.
USER 65532:65532
ENV LISTEN_ADDR=0.0.0.0:8080 TMPDIR=/tmp
EXPOSE 8080
ENTRYPOINT ["/duban"]
CMD ["serve"]

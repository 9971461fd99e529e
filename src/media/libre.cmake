# perm_libre: libre and librem with the compile definitions Debian's libre 1.1 was built
# with. libre's headers change layout with these (struct sa grows an IPv6 member under
# HAVE_INET6; re_types.h takes bool and the fixed-width types from the system only with
# HAVE_STDBOOL_H and HAVE_INTTYPES_H), so every target that includes <re.h> or <rem.h>
# links this one target. The list follows /usr/share/re/re.mk for Linux: keep it in step
# when libre-dev changes version.
include_guard(GLOBAL)

pkg_check_modules(LIBRE REQUIRED IMPORTED_TARGET libre)
pkg_check_modules(LIBREM REQUIRED IMPORTED_TARGET librem)

add_library(perm_libre INTERFACE)
target_compile_definitions(perm_libre INTERFACE
  LINUX OS="linux"
  HAVE_INET6 HAVE_INTTYPES_H HAVE_STDBOOL_H HAVE_STRINGS_H HAVE_UNISTD_H
  HAVE_PTHREAD HAVE_GETIFADDRS HAVE_STRERROR_R HAVE_GETOPT HAVE_NET_ROUTE_H
  HAVE_RESOLV HAVE_SYSLOG HAVE_FORK HAVE_INET_NTOP HAVE_INET_PTON HAVE_PWD_H
  HAVE_POLL HAVE_SELECT HAVE_SELECT_H HAVE_SETRLIMIT HAVE_SIGNAL HAVE_SYS_TIME_H
  HAVE_EPOLL HAVE_UNAME
  USE_OPENSSL USE_TLS USE_OPENSSL_DTLS USE_DTLS USE_OPENSSL_SRTP USE_DTLS_SRTP
  USE_ZLIB)
target_link_libraries(perm_libre INTERFACE PkgConfig::LIBREM PkgConfig::LIBRE)

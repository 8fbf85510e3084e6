/* The release every program reports with --version (and dkms.conf, the
 * pkg-config file and the man pages carry). */
#ifndef CREDSTORE_VERSION_H
#define CREDSTORE_VERSION_H

#define CREDSTORE_VERSION "1.0.0"

#endif

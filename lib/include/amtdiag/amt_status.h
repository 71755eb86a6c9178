/* SPDX-License-Identifier: GPL-2.0-or-later */
/* AMT return codes: the PT_STATUS values that WS-Man methods return in
 * ReturnValue and EOI services in StatusCode. */
#ifndef AMTDIAG_AMT_STATUS_H
#define AMTDIAG_AMT_STATUS_H

#include <stdint.h>

/* Name of an AMT PT_STATUS code without its prefix ("INVALID_CERT" for
 * 2063), or NULL for a code AMT does not define. */
const char *amt_status_name(uint32_t code);

#endif

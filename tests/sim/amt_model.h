/* SPDX-License-Identifier: GPL-2.0-or-later */
/* amt_model: the fake AMT's CIM model — which classes exist, their
 * instances built from the device configuration, the state that Put and
 * class methods change (TLS settings, trusted roots, clock), and the
 * enumeration contexts. Knows nothing about XML output or HTTP.
 * Not thread-safe: amt_http serialises access. */
#ifndef AMTSIM_AMT_MODEL_H
#define AMTSIM_AMT_MODEL_H

#include <stdint.h>
#include <glib.h>
#include "amt_http.h"
#include "simxml.h"

/* One property of an instance or method output, in output order. */
typedef struct amt_prop {
    char *name;
    char *value;     /* text; for an EPR, the InstanceID it selects */
    char *epr_class; /* non-NULL: the value is a reference to this class */
} amt_prop;

typedef struct amt_instance {
    GPtrArray *props; /* amt_prop* */
} amt_instance;

amt_instance *amt_instance_new(void);
void amt_instance_free(gpointer inst);
void amt_instance_add(amt_instance *i, const char *name, const char *value);
void amt_instance_addf(amt_instance *i, const char *name, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
void amt_instance_add_epr(amt_instance *i, const char *name, const char *cls,
                          const char *instance_id);
const char *amt_instance_get(const amt_instance *i, const char *name);

typedef struct amt_selector {
    const char *name;
    const char *value;
} amt_selector;

typedef enum {
    AMT_OK,
    AMT_NO_CLASS,     /* no such resource: wsa:DestinationUnreachable */
    AMT_NO_ACTION,    /* the class does not offer it: wsa:ActionNotSupported */
    AMT_BAD_SELECTOR, /* wsman:InvalidSelectors */
    AMT_BAD_INPUT,    /* wxf:InvalidRepresentation */
    AMT_BAD_CONTEXT,  /* wsen:InvalidEnumerationContext */
} amt_result;

typedef struct amt_model amt_model;

/* cfg must outlive the model. */
amt_model *amt_model_new(const amt_device_cfg *cfg);
void amt_model_free(amt_model *m);

const amt_device_cfg *amt_model_cfg(const amt_model *m);
/* AMT's clock in Unix seconds, given the capture clock. */
int64_t amt_model_clock(const amt_model *m, int64_t capture_s);
/* The device-wide response MessageID counter. */
uint64_t amt_model_next_message_id(amt_model *m);

/* Get: the instance the selectors address (none: the first instance). */
amt_result amt_model_get(amt_model *m, const char *cls, const amt_selector *sel, unsigned n_sel,
                         int64_t capture_s, amt_instance **out);
/* Put: updates the addressed instance from the body element inst and
 * returns the resulting instance. */
amt_result amt_model_put(amt_model *m, const char *cls, const amt_selector *sel, unsigned n_sel,
                         const sx_node *inst, amt_instance **out);
/* A class method; input is the <Method>_INPUT element or NULL. The output
 * ends with ReturnValue. */
amt_result amt_model_invoke(amt_model *m, const char *cls, const char *method, const sx_node *input,
                            int64_t capture_s, amt_instance **out);

/* Opens an enumeration of cls; ctx receives its context GUID. */
amt_result amt_model_enumerate(amt_model *m, const char *cls, char ctx[40]);
/* Appends up to max_elements instances (amt_instance*) to items; cls
 * receives the enumerated class; *end is set, and the context released,
 * when no instances remain. */
amt_result amt_model_pull(amt_model *m, const char *ctx, unsigned max_elements, int64_t capture_s,
                          char cls[64], GPtrArray *items, int *end);
amt_result amt_model_release(amt_model *m, const char *ctx);

#endif

/* parse_resources_doc.c — see parse_resources_doc.h. */
#include "spec/parse_resources_doc.h"
#include "core/error.h"
#include "core/util.h"
#include "spec/json.h"
#include "spec/model.h"
#include "spec/parse.h"
#include "spec/spec.h"

#include <errno.h>

int oci_resources_parse(const char *text, size_t len, struct oci_spec **ret, struct brick_error *err)
{
    bjson *doc = NULL;
    int r = bjson_parse(text, len, &doc, err);
    if (r < 0)
        return r;
    if (bjson_type_of(doc) != BJSON_OBJECT) {
        bjson_free(doc);
        return brick_err(err, EINVAL, "resources: expected an object");
    }
    struct pctx c = {.err = err};
    struct oci_spec *s = xcalloc(1, sizeof(*s));
    r = pc_resources(&c, doc, &s->linux_.resources);
    bjson_free(doc);
    if (r < 0) {
        oci_spec_free(s);
        return r;
    }
    *ret = s;
    return 0;
}

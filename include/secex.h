#ifndef SECEX_H
#define SECEX_H

/* secex: security exceptions kept in git. One header per library module. */

#include "secex/common.h"
#include "secex/util.h"
#include "secex/path.h"
#include "secex/run.h"
#include "secex/diag.h"
#include "secex/yaml.h"
#include "secex/yamlout.h"
#include "secex/schema.h"
#include "secex/policy.h"
#include "secex/repo.h"
#include "secex/snapshot.h"
#include "secex/signature.h"
#include "secex/health.h"
#include "secex/history.h"
#include "secex/reviews.h"
#include "secex/report.h"
#include "secex/export.h"
#include "secex/import.h"
#include "secex/newexc.h"
#include "secex/metrics.h"
#include "secex/scan.h"

#endif

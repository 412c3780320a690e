#pragma once
// Everything in ivk's public API.
#include "ivk/batch.h"
#include "ivk/error.h"
#include "ivk/field.h"
#include "ivk/files.h"
#include "ivk/graph.h"
#include "ivk/index_map.h"
#include "ivk/node_templates.h"
#include "ivk/png_metadata.h"
#include "ivk/version.h"
#include "ivk/workflow.h"
#include "ivk/workflow_input.h"

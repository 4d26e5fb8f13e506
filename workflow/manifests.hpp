#pragma once

#include "workflow/catalog.hpp"
#include "workflow/directory.hpp"
#include "workflow/settings.hpp"

namespace checkpoint::workflow {

// Everything under manifests/, validated: the policy every decision reads.
struct manifests {
    workflow::settings settings;
    workflow::catalog catalog;
    workflow::directory directory;
};

} // namespace checkpoint::workflow

#pragma once

#include "workflow/clock.hpp"
#include "workflow/directory.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace checkpoint::workflow {

// Grants counted per (person, entitlement): access is revoked only when the last covering grant ends.
class grant_ledger {
public:
    // `petition` covers the entitlement until `ends` (again: an extension moves the end).
    // Returns true when nothing covered it before, i.e. provisioning is new access.
    bool hold(std::string_view person, std::string_view entitlement, std::string_view petition, time_point ends);
    // `petition` stops covering. Returns true when no other grant still covers it: send the revoke.
    bool release(std::string_view person, std::string_view entitlement, std::string_view petition);

    bool covered(std::string_view person, std::string_view entitlement) const;
    std::size_t holders(std::string_view person, std::string_view entitlement) const;
    // The latest end among the covering grants.
    std::optional<time_point> covered_until(std::string_view person, std::string_view entitlement) const;

private:
    struct grant {
        std::string petition;
        time_point ends;
    };
    static std::string key(std::string_view person, std::string_view entitlement);
    string_map<std::vector<grant>> grants_;
};

} // namespace checkpoint::workflow

#include "bot/integrations/access_event.hpp"

namespace checkpoint::bot {

label_list labels_from(const workflow::provision_spec& spec)
{
    label_list out;
    out.reserve(spec.params.size());
    for (const auto& p : spec.params) {
        std::string joined;
        for (const auto& v : p.values) {
            if (!joined.empty())
                joined += ',';
            joined += v;
        }
        out.emplace_back(p.key, std::move(joined));
    }
    return out;
}

event_resource resource_from(const workflow::bundle& b)
{
    return {"bundle", b.name, b.name, labels_from(b.provision)};
}

} // namespace checkpoint::bot

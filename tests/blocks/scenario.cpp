#include "tests/blocks/scenario.hpp"

#include "tests/support/example_manifests.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

namespace checkpoint::blocks::test {

const workflow::manifests& example()
{
    static const workflow::manifests m = [] {
        checkpoint::test::temp_dir dir;
        auto r = loader::load_manifests(checkpoint::test::write_example_manifests(dir.path() / "manifests", nov(25)));
        if (!r)
            FAIL(loader::format(r.error()));
        return *r;
    }();
    return m;
}

workflow::time_point nov(int day, int hour, int minute)
{
    using namespace std::chrono;
    return sys_days{year{2026} / November / day} + hours{hour} + minutes{minute};
}

workflow::route decided(const std::string& requester, const std::string& target, std::string length, bool break_glass)
{
    std::optional<workflow::duration> d;
    if (!length.empty())
        d = workflow::parse_duration(length).value();
    auto r = workflow::decide(example(), {requester, target, d, break_glass}, nov(25));
    if (!r)
        FAIL(r.error().code + ": " + r.error().message);
    return *r;
}

workflow::petition filed(const std::string& id, const workflow::route& r, std::string reason, std::string ticket)
{
    return workflow::file(r, {id, std::move(reason), std::move(ticket)}, nov(25)).petition;
}

workflow::petition after(const workflow::petition& p, const workflow::event& e)
{
    auto t = workflow::apply(p, e, example().directory);
    if (!t)
        FAIL(t.error().code + ": " + t.error().message);
    return t->petition;
}

workflow::bundle_history busy_history()
{
    workflow::bundle_history h;
    h.requests = 5;
    h.granted = 4;
    h.typical_low = std::chrono::hours{24};
    h.typical_high = std::chrono::hours{72};
    h.time_to_approval = std::chrono::hours{1};
    h.recent = {{"Sam Support", std::chrono::hours{24 * 7}, {}, workflow::petition_state::pending},
                {"Mia <Jones>", std::chrono::hours{24 * 7}, {}, workflow::petition_state::active}};
    return h;
}

} // namespace checkpoint::blocks::test

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

} // namespace checkpoint::blocks::test

// Durations as people type them (`30m`, `1d12h`), and the forms they are shown in: whatever parses is
// positive, at most ten years, and reads back the same from its short form.

#include "fuzz_support.hpp"
#include "workflow/duration.hpp"

#include <cstring>

namespace {

using namespace checkpoint;
namespace wf = checkpoint::workflow;

constexpr auto ten_years = std::chrono::seconds{3650LL * 86400};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    auto d = wf::parse_duration(text);
    if (d) {
        fuzz::check(d->count() > 0 && *d <= ten_years, "a parsed duration is positive and at most ten years");
        const auto shown = wf::format_duration(*d);
        auto again = wf::parse_duration(shown);
        fuzz::check(again && *again == *d, "format_duration reads back as the same duration");
        fuzz::check(!wf::describe_duration(*d).empty(), "describe_duration says something");
    } else {
        fuzz::check(!d.error().message.empty(), "a refused duration says why");
    }

    // Any count of seconds at all, as stored values and sums reach the renderers.
    if (size >= sizeof(std::int64_t)) {
        std::int64_t n = 0;
        std::memcpy(&n, data, sizeof n);
        const wf::duration any{n};
        (void)wf::describe_duration(any);
        const auto shown = wf::format_duration(any);
        if (any.count() > 0 && any <= ten_years) {
            auto again = wf::parse_duration(shown);
            fuzz::check(again && *again == any, "any duration up to ten years reads back from its short form");
        }
    }
    return 0;
}

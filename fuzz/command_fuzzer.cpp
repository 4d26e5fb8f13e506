// Command text to intent: what follows `/checkpoint` (Slack's escapes, quotes of every keyboard,
// options), tokenised into a command line and then turned into a typed intent at a fixed time.

#include "fuzz_support.hpp"
#include "workflow/command.hpp"
#include "workflow/intent.hpp"
#include "workflow/text.hpp"

#include <type_traits>
#include <variant>

namespace {

using namespace checkpoint;
namespace wf = checkpoint::workflow;

bool within(std::string_view text, std::size_t max) { return wf::char_count(text) <= max; }

// Every intent stays inside the bounds it promises, so nothing downstream meets unbounded input.
void check_intent(const wf::command_intent& intent)
{
    std::visit(
        [](const auto& i) {
            using T = std::decay_t<decltype(i)>;
            if constexpr (std::is_same_v<T, wf::intent::request>) {
                fuzz::check(within(i.target, wf::max_target_length), "request target is bounded");
                fuzz::check(within(i.reason, wf::max_reason_length), "request reason is bounded");
                fuzz::check(within(i.ticket, wf::max_ticket_length), "request ticket is bounded");
                fuzz::check(i.target.empty() || !i.reason.empty(), "a request for a target has a reason");
                if (i.length)
                    fuzz::check(i.length->count() > 0, "a requested length is positive");
            } else if constexpr (std::is_same_v<T, wf::intent::status>) {
                fuzz::check(i.petition_id.empty() || wf::is_petition_id(i.petition_id), "status names a request id");
            } else if constexpr (std::is_same_v<T, wf::intent::extend>) {
                fuzz::check(wf::is_petition_id(i.petition_id), "extend names a request id");
                fuzz::check(i.added.count() > 0, "extend adds a positive length");
                fuzz::check(within(i.reason, wf::max_reason_length), "extend reason is bounded");
            } else if constexpr (std::is_same_v<T, wf::intent::cancel>) {
                fuzz::check(wf::is_petition_id(i.petition_id), "cancel names a request id");
            } else if constexpr (std::is_same_v<T, wf::intent::revoke>) {
                fuzz::check(wf::is_petition_id(i.petition_id), "revoke names a request id");
                fuzz::check(within(i.reason, wf::max_reason_length), "revoke reason is bounded");
            } else if constexpr (std::is_same_v<T, wf::intent::catalog>) {
                fuzz::check(within(i.words, wf::max_target_length), "catalog search is bounded");
            } else if constexpr (std::is_same_v<T, wf::intent::explain>) {
                fuzz::check(within(i.target, wf::max_target_length), "explain target is bounded");
            } else if constexpr (std::is_same_v<T, wf::intent::ooo_set>) {
                fuzz::check(i.until > fuzz::fixed_now(), "out of office ends in the future");
                (void)wf::format_utc(i.until);
            }
        },
        intent);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    (void)wf::tokenize(text);
    auto line = wf::parse_command_line(text);
    if (!line) {
        fuzz::check(!line.error().message.empty(), "a refused command says why");
        return 0;
    }
    if (!line->sub)
        (void)wf::closest_subcommands(line->word);
    auto intent = wf::to_intent(*line, fuzz::fixed_now());
    if (intent)
        check_intent(*intent);
    else
        fuzz::check(!intent.error().message.empty(), "a refused intent says why");
    return 0;
}

#include "app/audit_anchors.hpp"

#include "app/effect_jobs.hpp"
#include "app/jobs.hpp"
#include "workflow/text.hpp"

#include <algorithm>
#include <charconv>

namespace checkpoint::app {

std::string anchor_post_key(std::int64_t anchor_id) { return "audit-anchor/" + std::to_string(anchor_id) + "/post"; }

workflow::result<workflow::audit_anchor> anchor_audit(workflow::audit_log& audit, const workflow::settings& settings,
                                                      workflow::time_point now, std::string trigger, std::string by,
                                                      std::uint64_t sealed)
{
    const std::string channel = settings.security_channel;
    workflow::audit_anchor_request r;
    r.at = now;
    r.posted_to = channel.empty() ? "log" : channel;
    r.trigger = std::move(trigger);
    r.by = std::move(by);
    if (!channel.empty())
        r.post = [channel, sealed, now](const workflow::audit_anchor& a) -> std::optional<workflow::job_spec> {
            anchor_payload p{channel, a.id, a.seq, a.hash, a.mac, a.at, a.trigger, a.by, sealed};
            auto spec = job(job_kind::post_audit_anchor, anchor_post_key(a.id), encode(p), now);
            // In the order of everything else told in that channel.
            spec.lane = message_lane(channel);
            return spec;
        };
    return audit.anchor(r);
}

std::int64_t anchor_period_of(std::chrono::seconds every, workflow::time_point t)
{
    const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    return s / std::max<std::int64_t>(1, every.count());
}

workflow::time_point anchor_period_start(std::chrono::seconds every, std::int64_t period)
{
    return workflow::time_point{std::chrono::duration_cast<workflow::time_point::duration>(every * period)};
}

workflow::job_spec anchor_schedule_job(std::chrono::seconds every, std::int64_t period, workflow::time_point now)
{
    const auto at = std::max(anchor_period_start(every, period), now);
    return job(job_kind::anchor_audit,
               "audit-anchor/every-" + std::to_string(every.count()) + "s/" + std::to_string(period),
               encode(anchor_schedule_payload{every.count(), period}), at);
}

workflow::result<workflow::audit_anchor> parse_told_anchor(std::string_view text)
{
    const auto colon = text.find(':');
    workflow::audit_anchor a;
    const auto seq = text.substr(0, colon == std::string_view::npos ? 0 : colon);
    auto [end, ec] = std::from_chars(seq.data(), seq.data() + seq.size(), a.seq);
    if (colon != std::string_view::npos)
        a.mac = std::string(text.substr(colon + 1));
    const bool hex = a.mac.size() == 64 && a.mac.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (colon == std::string_view::npos || ec != std::errc() || end != seq.data() + seq.size() || a.seq == 0 || !hex)
        return workflow::error{"usage", "an anchor is SEQ:HASH as the security channel shows it (the event number, a "
                                        "colon, the 64 hex digits of its keyed hash), not \"" +
                                            std::string(text.substr(0, 80)) + "\""};
    return a;
}

boost::json::object anchor_json(const workflow::audit_anchor& a)
{
    return boost::json::object{{"id", a.id},
                               {"seq", a.seq},
                               {"keyed_hash", a.mac.empty() ? boost::json::value(nullptr) : boost::json::value(a.mac)},
                               {"hash", a.hash},
                               {"at", workflow::format_utc(a.at)},
                               {"posted_to", a.posted_to},
                               {"trigger", a.trigger},
                               {"by", a.by}};
}

boost::json::object verification_json(const workflow::audit_verification& v)
{
    boost::json::object out{{"ok", v.ok},
                            {"events", v.checked},
                            {"keyed", v.keyed},
                            {"sealed_before_key", v.sealed_before_key},
                            {"anchor", v.anchor ? boost::json::value(anchor_json(*v.anchor)) : boost::json::value(nullptr)}};
    if (!v.ok) {
        out["first_bad"] = v.first_bad_seq ? boost::json::value(*v.first_bad_seq) : boost::json::value(nullptr);
        out["problem"] = v.problem;
    }
    return out;
}

} // namespace checkpoint::app

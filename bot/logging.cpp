#include "bot/logging.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <ctime>
#include <memory>

namespace checkpoint::bot {

namespace {

// One JSON object per line: time, level, logger, msg; the message escaped by Boost.JSON.
class json_formatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override
    {
        const auto t = std::chrono::system_clock::to_time_t(msg.time);
        const auto ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count() % 1000;
        std::tm tm{};
        gmtime_r(&t, &tm);
        char stamp[40];
        const auto n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
        fmt::format_to(std::back_inserter(dest), R"({{"time":"{}.{:03}Z","level":"{}","msg":{}}})",
                       std::string_view(stamp, n), ms, spdlog::level::to_string_view(msg.level).data(),
                       boost::json::serialize(boost::json::string(msg.payload.data(), msg.payload.size())));
        dest.push_back('\n');
    }

    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

} // namespace

void setup_logging(log_format format)
{
    auto logger = spdlog::stderr_color_mt("checkpoint");
    if (format == log_format::json)
        logger->set_formatter(std::make_unique<json_formatter>());
    else
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v");
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

} // namespace checkpoint::bot

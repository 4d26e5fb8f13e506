#include "blocks/help_message.hpp"

#include "blocks/kit.hpp"

#include <map>
#include <mutex>
#include <string>

namespace checkpoint::blocks {

namespace {

std::string usage_lines(std::string_view command_name, bool markdown)
{
    std::string out;
    for (const auto& s : workflow::subcommands()) {
        if (markdown)
            out.append("`").append(command_name).append(" ").append(escape(s.usage)).append("`\n    ");
        else
            out.append(command_name).append(" ").append(escape(s.usage)).append("\n    ");
        out.append(s.summary).append("\n");
    }
    return out;
}

boost::json::array help_blocks(std::string_view command_name)
{
    boost::json::array blocks;
    blocks.push_back(header_block("Checkpoint: just-in-time access"));
    blocks.push_back(section_block(
        "Request temporary access to a bundle or a resource; Checkpoint routes it to the right reviewers "
        "and revokes it when it expires."));
    // One section per subcommand keeps each under Slack's 3000-character limit.
    for (const auto& s : workflow::subcommands()) {
        std::string line = "`";
        line.append(command_name).append(" ").append(escape(s.usage)).append("`\n").append(s.summary);
        blocks.push_back(section_block(line));
    }
    blocks.push_back(context_block("Example: `" + std::string(command_name) +
                                   " request api-production --duration 7d --reason \"debugging latency\"`"));
    return blocks;
}

} // namespace

boost::json::object help_message(std::string_view command_name)
{
    // Help depends only on the command's name (one or two per app), and is asked for often: render
    // each once. Bounded, so odd names sent by a caller cannot grow it.
    static std::mutex mutex;
    static std::map<std::string, boost::json::object, std::less<>> rendered;
    std::lock_guard lock(mutex);
    if (auto it = rendered.find(command_name); it != rendered.end())
        return it->second;
    auto msg = ephemeral_message("Checkpoint commands:\n" + usage_lines(command_name, false), help_blocks(command_name));
    if (rendered.size() < 8)
        rendered.emplace(std::string(command_name), msg);
    return msg;
}

boost::json::object unknown_subcommand_message(std::string_view command_name, std::string_view word)
{
    std::string head = "`" + std::string(command_name) + " " + escape(word) + "` is not a Checkpoint command.";
    const auto near = workflow::closest_subcommands(word);
    if (!near.empty()) {
        head += " Did you mean ";
        for (std::size_t i = 0; i < near.size(); ++i) {
            if (i)
                head += i + 1 == near.size() ? " or " : ", ";
            head.append("`").append(near[i]).append("`");
        }
        head += "?";
    }
    auto blocks = help_blocks(command_name);
    blocks.insert(blocks.begin(), section_block(head));
    return ephemeral_message(head + "\n" + usage_lines(command_name, false), std::move(blocks));
}

} // namespace checkpoint::blocks

-- wrk script: each write carries ten pipelined requests for the same page.
init = function(args)
    local requests = {}
    for i = 1, 10 do
        requests[i] = wrk.format(nil, wrk.path)
    end
    pipelined = table.concat(requests)
end

request = function()
    return pipelined
end
